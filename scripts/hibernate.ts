/**
 * Puts a non-production environment to sleep now, as its hibernation schedule would (see README "Hibernation"):
 *
 *   npm run hibernate -- --env dev [--no-wait] [--timeout-minutes N]
 *
 * Starts the environment's hibernation state machine and follows it; needs states:StartExecution and
 * states:DescribeExecution on it.
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { runAsProcess, type Output } from "./lib/cli";
import { runHibernationCommand, usage, type HibernationCommandDependencies } from "./hibernation/command";

export const USAGE = usage("hibernate");

export const main = (argv: readonly string[], out: Output, deps: HibernationCommandDependencies) => runHibernationCommand("hibernate", argv, out, deps);

if (require.main === module) runAsProcess((argv, out) => main(argv, out, { client: (region) => new SFNClient({ region }) }));
