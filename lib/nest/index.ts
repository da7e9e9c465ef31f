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
} from './fennflow.decorators';
export {
  DEFAULT_SCOPE,
  getBackendToken,
  getConnectorToken,
  getRecoveryServiceToken,
  getReconcilerToken,
  getGarbageCollectorToken,
  getUnitOfWorkFactoryToken,
} from './fennflow.tokens';
export { RecoveryService } from './recovery.service';
export type { RecoveryOptions } from './recovery.service';
