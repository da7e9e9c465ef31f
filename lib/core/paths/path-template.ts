/** Anything that renders to a relative path, e.g. `new UserPath(42)` rendering `users/user_42`. */
export interface PathTemplate {
  render(): string;
}

export function isPathTemplate(value: unknown): value is PathTemplate {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { render?: unknown }).render === 'function'
  );
}
