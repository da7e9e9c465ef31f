export { FennFlowModule } from './fennflow.module';
export type { FennFlowRootOptions } from './fennflow.module';
export type {
  FennFlowModuleAsyncOptions,
  FennFlowModuleOptions,
  FennFlowOptions,
  FennFlowOptionsFactory,
} from './fennflow-options.interface';
export {
  InjectBackend,
  InjectConnector,
  InjectUnitOfWork,
  InjectUnitOfWorkHost,
} from './fennflow.decorators';
export { WithUnitOfWork } from './with-unit-of-work.decorator';
export type { WithUnitOfWorkOptions } from './with-unit-of-work.decorator';
export {
  DEFAULT_SCOPE,
  getBackendToken,
  getConnectorToken,
  getRecoveryServiceToken,
  getReconcilerToken,
  getGarbageCollectorToken,
  getUnitOfWorkFactoryToken,
  getUnitOfWorkHostToken,
} from './fennflow.tokens';
export { RecoveryService } from './recovery.service';
export type { RecoveryOptions } from './recovery.service';
