import { ConfigurationError } from '../core/errors/fennflow.errors';
import { Propagation } from '../core/unit-of-work/propagation';
import { DEFAULT_SCOPE } from './fennflow.tokens';
import { unitOfWorkHostOf } from './unit-of-work-host.registry';

export interface WithUnitOfWorkOptions {
  /** The FennFlow scope whose host runs the method; default `'default'`. */
  readonly scope?: string;
  /** Default `Propagation.Required`: join the caller's unit of work, or open one. */
  readonly propagation?: Propagation;
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * Runs the method in `host.run(propagation, ...)` of its scope, so the services it calls reach
 * the unit of work as `host.current`. Needs no injection on the decorated class: the host comes
 * from the module's registration of the scope (a ConfigurationError when there is none).
 */
export function WithUnitOfWork(
  options: WithUnitOfWorkOptions = {},
): <M extends AsyncMethod>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void {
  const scope = options.scope ?? DEFAULT_SCOPE;
  const propagation = options.propagation ?? Propagation.Required;
  return (target, key, descriptor) => {
    const original = descriptor.value as
      ((this: unknown, ...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof original !== 'function') {
      throw new ConfigurationError(
        `@WithUnitOfWork decorates methods; '${String(key)}' is not one.`,
      );
    }
    const wrapper = async function (this: unknown, ...args: unknown[]) {
      return unitOfWorkHostOf(scope).run(propagation, () =>
        original.apply(this, args),
      );
    };
    Object.defineProperty(wrapper, 'name', { value: original.name });
    copyMetadata(original, wrapper);
    descriptor.value = wrapper as unknown as typeof descriptor.value;
  };
}

/** Keeps what other decorators stored on the method (guards, roles, event handlers). */
function copyMetadata(from: object, to: object): void {
  if (typeof Reflect.getMetadataKeys !== 'function') return;
  for (const metadataKey of Reflect.getMetadataKeys(from)) {
    Reflect.defineMetadata(
      metadataKey,
      Reflect.getMetadata(metadataKey, from),
      to,
    );
  }
}
