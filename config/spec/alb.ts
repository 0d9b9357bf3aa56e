/** The Application Load Balancer in front of the API server (and Flower when exposed there). */
import { cidr } from "./common";
import { bool, list, obj, str } from "./language";

export const alb = obj(
  {
    internetFacing: bool({ doc: "Internet-facing ALB (true) or internal ALB reached through VPN/bastion (false)." }),
    allowedCidrs: list(cidr({}), 1, 60, { doc: "CIDRs allowed to reach the ALB listeners." }),
    certificateArn: str("an ACM certificate ARN in the environment's account, e.g. arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>", {
      pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
      optional: true,
      doc: "ACM certificate ARN; without it the ALB serves plain HTTP (non-production only).",
    }),
    hostname: str("a DNS name such as airflow.example.com", {
      pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      optional: true,
      doc: "DNS name users reach Airflow at (a record you point at the ALB); Airflow builds its links from it (absent: the ALB's DNS name).",
    }),
  },
  { doc: "The Application Load Balancer in front of the API server." },
);
