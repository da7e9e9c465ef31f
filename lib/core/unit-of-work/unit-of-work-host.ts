import { AsyncLocalStorage } from 'node:async_hooks';
import {
  UnitOfWorkAlreadyActiveError,
  UnitOfWorkNotActiveError,
} from '../errors/fennflow.errors';
import { Propagation } from './propagation';
import type { UnitOfWork } from './unit-of-work';
import type { UnitOfWorkFactory } from './unit-of-work.factory';

/** What one async context sees; `unitOfWork` is absent where a run suspended the active one. */
interface HostFrame<T> {
  readonly unitOfWork?: T;
}

type Joining =
  Propagation.Required | Propagation.RequiresNew | Propagation.Mandatory;
type Without = Propagation.Never | Propagation.NotSupported;

/**
 * Carries a unit of work through the async calls of one run, so services called from it reach
 * it as `host.current` instead of receiving it as an argument:
 *
 *     await host.run(async () => {
 *       await avatars.save(image);   // uses host.current.avatars.put(...)
 *       await profiles.save(json);   // the same unit of work
 *     });                            // commits both, or compensates both
 *
 * A run that joins an active unit of work neither commits nor rolls back: its error propagates
 * and the run that opened the unit of work rolls back when the error reaches it. A joined run
 * whose error the caller catches therefore leaves the work it did in the outer unit of work.
 */
export class UnitOfWorkHost<T extends UnitOfWork = UnitOfWork> {
  private readonly storage = new AsyncLocalStorage<HostFrame<T>>();

  constructor(readonly factory: UnitOfWorkFactory<T>) {}

  /** Whether a unit of work is active in this async context. */
  get isActive(): boolean {
    return this.storage.getStore()?.unitOfWork !== undefined;
  }

  /** The unit of work active in this async context; throws UnitOfWorkNotActiveError when none. */
  get current(): T {
    const unitOfWork = this.storage.getStore()?.unitOfWork;
    if (unitOfWork === undefined) {
      throw new UnitOfWorkNotActiveError(
        'No unit of work is active here; call this code inside host.run(...) or a method decorated with @WithUnitOfWork().',
      );
    }
    return unitOfWork;
  }

  /** Joins the active unit of work, or opens one that commits when fn resolves (Required). */
  run<R>(fn: (unitOfWork: T) => Promise<R>): Promise<R>;
  run<R>(propagation: Joining, fn: (unitOfWork: T) => Promise<R>): Promise<R>;
  run<R>(
    propagation: Without,
    fn: (unitOfWork: undefined) => Promise<R>,
  ): Promise<R>;
  run<R>(
    propagation: Propagation,
    fn: (unitOfWork: T | undefined) => Promise<R>,
  ): Promise<R>;
  run<R>(
    propagationOrFn: Propagation | ((unitOfWork: T) => Promise<R>),
    // Each overload's fn gets what its mode can pass; runWith passes exactly that.
    maybeFn?: (unitOfWork: never) => Promise<R>,
  ): Promise<R> {
    if (typeof propagationOrFn === 'function') {
      return this.runWith(Propagation.Required, (unitOfWork) =>
        propagationOrFn(unitOfWork as T),
      );
    }
    if (typeof maybeFn !== 'function') {
      return Promise.reject(
        new TypeError('host.run(propagation, fn) needs a function.'),
      );
    }
    return this.runWith(
      propagationOrFn,
      maybeFn as (unitOfWork: T | undefined) => Promise<R>,
    );
  }

  private async runWith<R>(
    propagation: Propagation,
    fn: (unitOfWork: T | undefined) => Promise<R>,
  ): Promise<R> {
    const active = this.storage.getStore()?.unitOfWork;
    switch (propagation) {
      case Propagation.Required:
        return active !== undefined ? fn(active) : this.runNew(fn);
      case Propagation.RequiresNew:
        return this.runNew(fn);
      case Propagation.Mandatory:
        if (active === undefined) {
          throw new UnitOfWorkNotActiveError(
            'Propagation.Mandatory needs an active unit of work, and there is none here.',
          );
        }
        return fn(active);
      case Propagation.Never:
        if (active !== undefined) {
          throw new UnitOfWorkAlreadyActiveError(
            `Propagation.Never forbids an active unit of work, and ${active.id} is active here.`,
          );
        }
        return this.runWithout(fn);
      case Propagation.NotSupported:
        return this.runWithout(fn);
      case Propagation.Supports:
        return active !== undefined ? fn(active) : this.runWithout(fn);
      default:
        throw new TypeError(
          `Unknown propagation ${JSON.stringify(propagation)}.`,
        );
    }
  }

  private runNew<R>(fn: (unitOfWork: T) => Promise<R>): Promise<R> {
    return this.factory.run((unitOfWork) =>
      this.storage.run({ unitOfWork }, () => fn(unitOfWork)),
    );
  }

  private async runWithout<R>(
    fn: (unitOfWork: undefined) => Promise<R>,
  ): Promise<R> {
    return this.storage.run({}, () => fn(undefined));
  }
}
