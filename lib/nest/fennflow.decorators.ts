import { Inject } from '@nestjs/common';
import {
  DEFAULT_SCOPE,
  getBackendToken,
  getConnectorToken,
  getUnitOfWorkFactoryToken,
  getUnitOfWorkHostToken,
} from './fennflow.tokens';

/** Injects the UnitOfWorkFactory of a scope (default scope when omitted). */
export const InjectUnitOfWork = (
  scope: string = DEFAULT_SCOPE,
): ParameterDecorator & PropertyDecorator =>
  Inject(getUnitOfWorkFactoryToken(scope));

/** Injects the metadata backend of a scope. */
export const InjectBackend = (
  scope: string = DEFAULT_SCOPE,
): ParameterDecorator & PropertyDecorator => Inject(getBackendToken(scope));

/** Injects the storage connector of a scope. */
export const InjectConnector = (
  scope: string = DEFAULT_SCOPE,
): ParameterDecorator & PropertyDecorator => Inject(getConnectorToken(scope));

/** Injects the UnitOfWorkHost of a scope: `host.current` is the unit of work of the running call. */
export const InjectUnitOfWorkHost = (
  scope: string = DEFAULT_SCOPE,
): ParameterDecorator & PropertyDecorator =>
  Inject(getUnitOfWorkHostToken(scope));
