/** Where the environment's alarms go. */
import { obj, str } from "./language";

export const alarms = obj(
  {
    email: str("an e-mail address", {
      pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
      optional: true,
      doc: "E-mail subscribed to the environment's alarm topic (required in production).",
    }),
  },
  { default: {}, doc: "The environment's alarm topic." },
);
