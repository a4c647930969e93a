export {
  type Database,
  type DatabaseEngine,
  type DatabaseHandle,
  type DatabaseOptions,
  openDatabase,
} from "./database.js";
export { migrateToLatest } from "./migrate.js";
