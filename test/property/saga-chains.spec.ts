import { inMemory } from '../support/connector-fixtures';
import { describeSagaChains } from '../support/saga-chains';

describeSagaChains(inMemory());
