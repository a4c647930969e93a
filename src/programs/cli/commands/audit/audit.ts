import { Command } from "commander";
import type { CommandContext } from "../../command-context.js";
import { auditListCommand } from "./list.js";
import { auditVerifyCommand } from "./verify.js";

/** `charter audit ...`: read and verify the tamper-evident log of Charter's changes. */
export function auditCommand(context: CommandContext): Command {
  return new Command("audit")
    .description("read and verify the audit log")
    .addCommand(auditListCommand(context))
    .addCommand(auditVerifyCommand(context));
}
