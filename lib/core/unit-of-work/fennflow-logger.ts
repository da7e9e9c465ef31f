/** The slice of a logger FennFlow writes to; Nest's Logger and `console` both fit. */
export interface FennFlowLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: FennFlowLogger = {
  log: (message) => console.log(`[FennFlow] ${message}`),
  warn: (message) => console.warn(`[FennFlow] ${message}`),
  error: (message) => console.error(`[FennFlow] ${message}`),
};

export const silentLogger: FennFlowLogger = {
  log: () => {},
  warn: () => {},
  error: () => {},
};
