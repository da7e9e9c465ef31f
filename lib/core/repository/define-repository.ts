import type { Capability } from './capability';
import { RepositoryBase } from './repository.base';
import type { RepositoryContext } from './repository-context';

type MethodsOf<C> = C extends Capability<infer M> ? M : never;
type UnionToIntersection<U> = (
  U extends unknown ? (value: U) => void : never
) extends (value: infer I) => void
  ? I
  : never;

/** A repository with exactly the methods of its capabilities; using any other is a type error. */
export type Repository<Caps extends readonly Capability<object>[]> =
  RepositoryBase & UnionToIntersection<MethodsOf<Caps[number]>>;

export interface RepositoryClass<R extends RepositoryBase = RepositoryBase> {
  new (context: RepositoryContext): R;
  readonly capabilities: readonly string[];
}

/**
 * Composes capabilities into a repository class:
 * `const CrudRepository = defineRepository(Create, Put, Get, List, Delete);`
 */
export function defineRepository<
  const Caps extends readonly Capability<object>[],
>(...capabilities: Caps): RepositoryClass<Repository<Caps>> {
  const names = capabilities.map((c) => c.capabilityName);
  if (new Set(names).size !== names.length) {
    throw new TypeError(
      `defineRepository: a capability is listed twice (${names.join(', ')}).`,
    );
  }
  class ComposedRepository extends RepositoryBase {
    static readonly capabilities = names;
  }
  for (const { methods } of capabilities) {
    for (const [name, method] of Object.entries(methods)) {
      Object.defineProperty(ComposedRepository.prototype, name, {
        value: method,
        writable: true,
        configurable: true,
      });
    }
  }
  return ComposedRepository as unknown as RepositoryClass<Repository<Caps>>;
}
