import { spawn } from "node:child_process";

/**
 * Opens the URL with the desktop's opener (`open` on macOS, `xdg-open` elsewhere). Resolves once the
 * opener has started; rejects when there is none, in which case the caller's printed URL is the way.
 */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const opener = platform === "darwin" ? "open" : "xdg-open";
  return new Promise((resolve, reject) => {
    // The URL is one argument of an exec, never a shell string, so nothing in it is interpreted.
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}
