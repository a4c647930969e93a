import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { SecretBox } from "../secret-box.js";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under a 32-byte master key. `context` is bound as additional authenticated data, so
 * a ciphertext sealed for one purpose cannot be opened for another.
 */
export class FileSecretBox implements SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Uint8Array): FileSecretBox {
    if (key.length !== 32) throw new Error(`master key must be 32 bytes, got ${key.length}`);
    return new FileSecretBox(Buffer.from(key));
  }

  /** Reads the master key file, creating it (mode 0600) with a fresh random key when absent. */
  static async openOrCreate(path: string): Promise<FileSecretBox> {
    try {
      return FileSecretBox.fromKey(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    await writeFile(path, key, { mode: 0o600, flag: "wx" });
    return FileSecretBox.fromKey(await readFile(path));
  }

  async seal(plaintext: Uint8Array, context: string): Promise<Uint8Array> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  async open(ciphertext: Uint8Array, context: string): Promise<Uint8Array> {
    const data = Buffer.from(ciphertext);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== VERSION) {
      throw new Error("sealed value has an unknown format");
    }
    const iv = data.subarray(1, 1 + IV_BYTES);
    const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}
