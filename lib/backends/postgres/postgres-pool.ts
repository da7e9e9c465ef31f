/**
 * The part of a `pg` Pool the backend uses. Structural, so a `pg.Pool` fits without this
 * library's type declarations depending on `@types/pg`.
 */
export interface PostgresQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

export interface PostgresClientLike {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  release(destroy?: boolean | Error): void;
}

export interface PostgresPoolLike {
  connect(): Promise<PostgresClientLike>;
  end(): Promise<void>;
}
