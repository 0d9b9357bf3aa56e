export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** One JSON object per line (CloudWatch Logs Insights parses the fields), to stdout/stderr by level. */
export const jsonLogger: Logger = {
  info: (message, fields) => console.info(JSON.stringify({ level: "INFO", message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: "WARN", message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: "ERROR", message, ...fields })),
};
