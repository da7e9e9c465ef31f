import { Inject } from '@nestjs/common';
import {
  DEFAULT_SCOPE,
  getBackendToken,
  getConnectorToken,
  getUnitOfWorkFactoryToken,
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
