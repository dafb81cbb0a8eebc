// Expand one .chatito file with the real Chatito (its Rasa adapter) and print the JSON.
// usage: node chatito_driver.js CHATITO_DIST_DIR FILE.chatito
// stdout: {"training": ..., "testing": ...}; on error: exit 1, the message on stderr.
"use strict";
const fs = require("fs");
const path = require("path");
const dist = process.argv[2];
const file = path.resolve(process.argv[3]);
const rasa = require(path.join(dist, "adapters", "rasa"));
const importer = (fromPath, importFile) => {
  const filePath = path.resolve(path.dirname(fromPath), importFile);
  if (path.extname(filePath) !== ".chatito") {
    throw new Error("Only files with .chatito extension can be imported");
  }
  if (!fs.existsSync(filePath)) {
    throw new Error(`Can't import ${filePath}`);
  }
  return { filePath, dsl: fs.readFileSync(filePath, "utf8") };
};
rasa
  .adapter(fs.readFileSync(file, "utf8"), undefined, importer, file)
  .then((out) => process.stdout.write(JSON.stringify(out)))
  .catch((e) => {
    process.stderr.write(String(e && e.message ? e.message : e));
    process.exit(1);
  });
