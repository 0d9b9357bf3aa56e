/** The GitHub OIDC roles CI assumes to deploy the environment. */
import type { CiConfig } from "../schema";
import { bool, derived, obj, str } from "./language";

function hasGithubRepository(ci: CiConfig): boolean {
  return ci.githubRepository !== undefined;
}

export const ci = obj(
  {
    githubRepository: str("owner/repo of the GitHub repository running the pipelines", {
      pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
      optional: true,
      doc: "`owner/repo` allowed to assume this environment's CI roles through GitHub OIDC; leave out to create no CI roles.",
    }),
    createOidcProvider: bool({
      doc: "Create the account's GitHub OIDC identity provider (only one may exist per account; set false where another environment in the same account already creates it).",
      derive: derived("true when `githubRepository` is set", hasGithubRepository),
    }),
  },
  { default: {}, doc: "CI roles (GitHub OIDC)." },
);
