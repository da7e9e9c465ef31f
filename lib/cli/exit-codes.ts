export const EXIT_OK = 0;
/** The operation ran but left failures (or could not run: storage or backend error). */
export const EXIT_FAILURES = 1;
/** Bad arguments or configuration; nothing was done. */
export const EXIT_USAGE = 2;
