import { filesystem } from '../../support/connector-fixtures';
import { describeSagaChains } from '../../support/saga-chains';
import { describeSagaProperty } from '../../support/saga-property';

// Faults are injected around the real filesystem connector; each scenario gets a fresh root.
const source = filesystem();
afterAll(() => source.close());
describeSagaProperty(source, { numRuns: 60, timeoutMs: 60_000 });
describeSagaChains(source);
