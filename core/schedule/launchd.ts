/**
 * A per-user LaunchAgent (macOS) for one scheduled job, as an XML property list.
 *
 * @example
 * ```ts
 * const xml = launchAgentPlist(job); // ~/Library/LaunchAgents/com.photos-sync.sync.plist
 * ```
 * @module
 */
import { jobLabel, type ScheduledJob } from "./jobs.ts";

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}

const str = (s: string) => `<string>${escapeXml(s)}</string>`;

/** The plist launchd reads: a periodic job (StartInterval) or a service kept alive. */
export function launchAgentPlist(job: ScheduledJob): string {
  const entries: [string, string][] = [
    ["Label", str(jobLabel.launchd(job.name))],
    ["ProgramArguments", `<array>\n${job.argv.map((a) => `\t\t${str(a)}`).join("\n")}\n\t</array>`],
    ["WorkingDirectory", str(job.home)],
    [
      "EnvironmentVariables",
      `<dict>\n${
        Object.entries(job.env).map(([k, v]) => `\t\t<key>${escapeXml(k)}</key>\n\t\t${str(v)}`).join("\n")
      }\n\t</dict>`,
    ],
    ["StandardOutPath", str(job.logFile)],
    ["StandardErrorPath", str(job.logFile)],
  ];
  if (job.intervalSeconds !== undefined) {
    entries.push(
      ["StartInterval", `<integer>${job.intervalSeconds}</integer>`],
      ["RunAtLoad", "<false/>"],
      // Background work: launchd lowers its CPU and I/O priority.
      ["ProcessType", str("Background")],
      ["LowPriorityIO", "<true/>"],
    );
  } else {
    entries.push(
      ["RunAtLoad", "<true/>"],
      // Restarted if it exits with an error; a clean stop (launchctl bootout) stays stopped.
      ["KeepAlive", "<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>"],
      ["ThrottleInterval", "<integer>30</integer>"],
      ["ProcessType", str("Background")],
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    ...entries.map(([k, v]) => `\t<key>${k}</key>\n\t${v}`),
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
