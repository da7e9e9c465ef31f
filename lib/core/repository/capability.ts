import type { RepositoryBase } from './repository.base';

/** A named set of repository methods; `defineRepository` composes them into a class. */
export interface Capability<M extends object> {
  readonly capabilityName: string;
  readonly methods: M;
}

export function capability<M extends object>(
  capabilityName: string,
  methods: M & ThisType<RepositoryBase>,
): Capability<M> {
  return { capabilityName, methods };
}
