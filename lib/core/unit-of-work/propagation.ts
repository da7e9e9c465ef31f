/**
 * How `UnitOfWorkHost.run` relates to a unit of work already active in the async context
 * (the same modes as @nestjs-cls/transactional's Propagation).
 */
export enum Propagation {
  /** Join the active unit of work, or open one that commits when fn resolves (default). */
  Required = 'REQUIRED',
  /** Always open a new, independent unit of work; the active one is suspended meanwhile. */
  RequiresNew = 'REQUIRES_NEW',
  /** Join the active unit of work; throw UnitOfWorkNotActiveError when there is none. */
  Mandatory = 'MANDATORY',
  /** Run without a unit of work; throw UnitOfWorkAlreadyActiveError when one is active. */
  Never = 'NEVER',
  /** Run without a unit of work, suspending the active one. */
  NotSupported = 'NOT_SUPPORTED',
  /** Join the active unit of work if there is one, else run without. */
  Supports = 'SUPPORTS',
}
