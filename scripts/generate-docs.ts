// Writes the generated reference documents: docs/openapi.json and docs/errors.md.
import { writeFile } from "node:fs/promises";
import { generateErrorReference, generateOpenApi } from "../src/programs/server/reference-docs.js";

await writeFile(new URL("../../docs/openapi.json", import.meta.url), await generateOpenApi());
await writeFile(new URL("../../docs/errors.md", import.meta.url), generateErrorReference());
console.log("wrote docs/openapi.json and docs/errors.md");
