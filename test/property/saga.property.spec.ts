import { inMemory } from '../support/connector-fixtures';
import { describeSagaProperty } from '../support/saga-property';

describeSagaProperty(inMemory(), { numRuns: 400, timeoutMs: 120_000 });
