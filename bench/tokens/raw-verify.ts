import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * The peer of measurement (b): ES256 signature checks with node:crypto on a cached KeyObject and
 * nothing else (inputs decoded beforehand), in a pinned process. Prints the rate of one run after a warm-up.
 */
const [tokensFile, jwkJson, secondsArg] = process.argv.slice(2) as [string, string, string];
const key = createPublicKey({ key: JSON.parse(jwkJson), format: "jwk" });
const inputs = readFileSync(tokensFile, "utf8")
  .trim()
  .split("\n")
  .map((token) => {
    const lastDot = token.lastIndexOf(".");
    return [
      Buffer.from(token.slice(0, lastDot)),
      Buffer.from(token.slice(lastDot + 1), "base64url"),
    ] as const;
  });
const verifyKey = { key, dsaEncoding: "ieee-p1363" } as const;

function measure(seconds: number): { count: number; rate: number } {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let count = 0;
  let i = 0;
  for (;;) {
    for (let k = 0; k < 256; k++) {
      const [data, signature] = inputs[i]!;
      if (!verify("sha256", data, verifyKey, signature)) throw new Error("a benchmark token did not verify");
      i = i + 1 === inputs.length ? 0 : i + 1;
    }
    count += 256;
    const now = performance.now();
    if (now >= deadline) return { count, rate: count / ((now - started) / 1000) };
  }
}

measure(1); // warm-up
const before = process.cpuUsage();
const { count, rate } = measure(Number(secondsArg));
const used = process.cpuUsage(before);
process.stdout.write(`${JSON.stringify({ rate, cpuUsPerVerify: (used.user + used.system) / count })}\n`);
