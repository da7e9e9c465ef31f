import { s3 } from '../../support/connector-fixtures';
import { describeSagaChains } from '../../support/saga-chains';
import { describeSagaProperty } from '../../support/saga-property';

// Faults are injected around the real S3 connector talking to s3rver (one child process for
// the file); each scenario starts from empty `docs` and `media` buckets.
const source = s3();
afterAll(() => source.close());
describeSagaProperty(source, { numRuns: 25, leaseMs: 200, timeoutMs: 90_000 });
describeSagaChains(source);
