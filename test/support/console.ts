/**
 * What the web console's browser tests share: the console built as `npm run build` makes it, the
 * machine's Chromium driven by playwright-core, a login through the authorization code flow, the
 * screenshots people look at, and calls to the API to set the scene.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const root = resolve(import.meta.dirname, "../..");
// The machine's Chromium (Debian's package), not a browser playwright downloads.
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = join(root, "test-output", "screenshots");
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };

/**
 * Gets a browser test ready to start: fails at once when Chromium is missing (before the slow build),
 * builds the console into dist/web when it is stale, and makes test-output/screenshots/.
 */
export async function prepareConsole(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the console's browser tests need it (apt-get install chromium)`,
    );
  }
  // The test must run the console its sources describe, not an old dist/web. Only when stale,
  // though: a rebuild rewrites dist/web under servers that parallel tests have started.
  if (consoleBuildIsStale()) {
    // In a child process so that NODE_ENV is production: vitest sets "test", with which vite would
    // bundle React's development build.
    await promisify(execFile)(
      process.execPath,
      [
        join(root, "node_modules/vite/bin/vite.js"),
        "build",
        "--config",
        "web/vite.config.ts",
        "--logLevel",
        "warn",
      ],
      { cwd: root, env: { ...process.env, NODE_ENV: "production" } },
    );
  }
  await mkdir(SCREENSHOTS, { recursive: true });
}

/** Whether dist/web is missing or older than a file of the console's sources under web/. */
function consoleBuildIsStale(): boolean {
  const index = join(root, "dist", "web", "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const newest = (path: string): number => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  return newest(join(root, "web")) > built;
}

/** What {@link ConsoleBrowser.logIn} may do along the way, for instance take screenshots. */
export interface LogInOptions {
  /** Called on the console's sign-in page once it shows, before "Sign in" is clicked. */
  readonly atSignIn?: (page: Page) => Promise<void>;
  /** Called on the control plane's authorization page with the form filled in, before it is sent. */
  readonly atAuthorize?: (page: Page) => Promise<void>;
}

/** Chromium with one profile, opening the console served at one URL. */
export interface ConsoleBrowser {
  readonly context: BrowserContext;
  /**
   * Opens a fresh tab at `path` (its own sessionStorage, so its own session) and logs in as `user`
   * through the authorization code flow; it checks that the code does not stay in the address bar
   * and that the console holds a token.
   *
   * @example
   * const alice = await browser.logIn("alice", PASSWORD, "/apps");
   */
  logIn(user: string, password: string, path: string, options?: LogInOptions): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the machine's Chromium, headless, with its profile in `profileDir`, for the console at `url`. */
export async function launchConsoleBrowser(url: string, profileDir: string): Promise<ConsoleBrowser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      // The first six are among playwright-core 1.65's defaults too; they are stated here because the
      // tests rely on them whatever playwright's defaults become.
      "--headless", // no display on CI
      "--no-sandbox", // Chromium will not start as root (as tests run in containers) with its sandbox on
      "--no-first-run", // no welcome page or default-browser prompt in a fresh profile
      // The machine may have no way out: no calls home for field trials, safe browsing lists,
      // component updates or sync, which would stall or fill the log.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu", // no GPU on CI; software rendering from the start instead of a failing GPU process
      "--disable-quic", // nothing here speaks HTTP/3; the console is plain HTTP on loopback
    ],
    viewport: WIDE,
    // Dates and numbers render the same on every machine, and so do the screenshots.
    locale: "en-GB",
    timezoneId: "UTC",
  });
  return {
    context,
    async logIn(user, password, path, options = {}) {
      const page = await context.newPage();
      await page.setViewportSize(WIDE);
      await page.goto(`${url}${path}`);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await options.atSignIn?.(page);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/oauth2\/authorize/);
      await page.getByLabel("User id").fill(user);
      await page.getByLabel("Password").fill(password);
      await options.atAuthorize?.(page);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Log out" }).waitFor();
      // The code and state must not stay in the address bar or the history.
      expect(page.url()).not.toContain("code=");
      expect(await page.evaluate('sessionStorage.getItem("charter.token")')).toBeTruthy();
      return page;
    },
    close: () => context.close(),
  };
}

/** How {@link shot} saves a page. */
export interface ShotOptions {
  /** Also save it 390 pixels wide, as a phone shows it. Default true. */
  readonly narrow?: boolean;
  /**
   * The whole page rather than the viewport. Default true; false for a modal dialog, which shows
   * only in the viewport.
   */
  readonly fullPage?: boolean;
}

/**
 * Saves the page as test-output/screenshots/`name`-1280.png and (unless `narrow` is false)
 * `name`-390.png, for people to look at; the page is left 1280 pixels wide.
 */
export async function shot(page: Page, name: string, options: ShotOptions = {}): Promise<void> {
  const { narrow = true, fullPage = true } = options;
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${WIDE.width}.png`), fullPage });
  if (narrow) {
    await page.setViewportSize(NARROW);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${NARROW.width}.png`), fullPage });
    await page.setViewportSize(WIDE);
  }
}

/** Follows the link called `name` in the console's main navigation. */
export async function nav(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

/** Calls the API as one bearer; the test fails unless the answer is a success. Resolves to its JSON. */
export type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * The API of the control plane at `url`, called with `token`.
 *
 * @example
 * const asAdmin = apiAs(url, await passwordToken(server, "admin", TEST_ADMIN_PASSWORD));
 * await asAdmin("POST", "/api/teams", { id: "shop", name: "Shop" });
 */
export function apiAs(url: string, token: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return response.status === 204 ? undefined : response.json();
  };
}

/** Creates the person `id` (named after it, with an example.org address) as a member of `team`. */
export async function addPerson(asAdmin: Api, id: string, team: string, password: string): Promise<void> {
  await asAdmin("POST", "/api/users", {
    id,
    name: id[0]!.toUpperCase() + id.slice(1),
    email: `${id}@example.org`,
    password,
  });
  await asAdmin("PUT", `/api/teams/${team}/members/${id}`);
}
