import { ConfigurationError } from '../../../lib';
import { loadDriver } from '../../../lib/backends/sql/load-driver';

describe('loading an optional driver', () => {
  it('says what to install when the package is missing', () => {
    let thrown: unknown;
    try {
      loadDriver(
        'fennflow-no-such-driver',
        'fennflow-no-such-driver@12',
        'SQLite',
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({ code: 'E_FENNFLOW_CONFIGURATION' });
    expect((thrown as Error).message).toContain(
      'npm i fennflow-no-such-driver@12',
    );
  });

  it('returns the module when it is installed', () => {
    expect(
      loadDriver<object>('better-sqlite3', 'better-sqlite3@12', 'SQLite'),
    ).toBe(
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('better-sqlite3'),
    );
  });
});
