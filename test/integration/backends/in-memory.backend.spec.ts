import { InMemoryBackend } from '../../../lib';
import { describeBackendConformance } from './backend-conformance';
import { describeSagaSmoke } from './saga-smoke';

const makeBackend = async (scope: string) => {
  const backend = new InMemoryBackend(scope);
  await backend.open();
  return backend;
};

describeBackendConformance('in-memory', makeBackend);
describeSagaSmoke('in-memory', makeBackend);
