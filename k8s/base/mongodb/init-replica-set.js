// Initiates the replica set and creates its root user, from member 0 over localhost (run.sh runs it with mongosh
// until it succeeds). Every step looks before it acts, so running it again on a finished set changes nothing.
//
//   1. Credentials from the Secret work: the set is initiated and the user exists; only step 4 may remain.
//   2. The set is not initiated: initiate it with every member, unless another member already belongs to a set
//      (then member 0 lost its volume and rejoins through the others' configuration; initiating would split it).
//   3. No user yet (localhost exception): wait until this member is primary, create the root user, authenticate.
//   4. Member 0 has priority 2 in the first configuration, so that it becomes the first primary (the one where
//      the user can be created); give it the normal priority 1 back.
//   5. With the exporters (MONGO_EXPORTER_USERNAME and MONGO_EXPORTER_PASSWORD set, from Secret
//      mongodb-exporter-credentials): the exporter's user, roles clusterMonitor and read on local, on the primary,
//      wherever it is now; its password and roles are set again each time, so a changed Secret takes effect.
//
// Exits with an error (and is run again) while a step cannot be done yet, e.g. members still starting.

const setName = process.env.MONGO_REPLICA_SET;
const members = Number.parseInt(process.env.MONGO_MEMBERS, 10);
const service = process.env.MONGO_SERVICE;
const statefulSet = process.env.HOSTNAME.replace(/-\d+$/, "");
const user = process.env.MONGO_ROOT_USERNAME;
const pwd = process.env.MONGO_ROOT_PASSWORD;
const exporterUser = process.env.MONGO_EXPORTER_USERNAME;
const exporterPwd = process.env.MONGO_EXPORTER_PASSWORD;
const hostOf = (i) => `${statefulSet}-${i}.${service}:27017`;
const admin = db.getSiblingDB("admin");

function log(message) {
  print(`replica-set-init: ${message}`);
}

// mongosh throws on a failed command; the answer document is easier to test, whichever way it comes back.
function command(database, cmd) {
  try {
    return database.runCommand(cmd);
  } catch (e) {
    return { ok: 0, code: e.code, codeName: e.codeName, errmsg: e.message };
  }
}

function authenticate() {
  try {
    return admin.auth(user, pwd).ok === 1;
  } catch (e) {
    return false;
  }
}

// Another member that already answers with a set name belongs to an initiated set.
function memberOfASet(i) {
  try {
    const other = new Mongo(`mongodb://${hostOf(i)}/?directConnection=true&serverSelectionTimeoutMS=3000&connectTimeoutMS=3000`);
    const hello = other.getDB("admin").runCommand({ hello: 1 });
    return hello.setName ? hello.setName : null;
  } catch (e) {
    throw new Error(`member ${hostOf(i)} does not answer yet (${e.message})`);
  }
}

if (!user || !pwd || !setName || !(members > 0) || !service) {
  throw new Error("MONGO_ROOT_USERNAME, MONGO_ROOT_PASSWORD, MONGO_REPLICA_SET, MONGO_MEMBERS and MONGO_SERVICE are required");
}

const authenticated = authenticate();
const status = command(admin, { replSetGetStatus: 1 });

if (status.ok !== 1) {
  if (status.code === 13 /* Unauthorized: users exist, and the Secret's credentials are not one of them */) {
    throw new Error(`the root user exists but the credentials of the Secret are refused: was mongodb-credentials replaced after the first start?`);
  }
  if (status.code !== 94 /* NotYetInitialized */) {
    throw new Error(`replSetGetStatus: ${status.codeName ?? status.code} ${status.errmsg ?? ""}`);
  }
  for (let i = 1; i < members; i++) {
    const other = memberOfASet(i);
    if (other) {
      throw new Error(`${hostOf(i)} already belongs to set ${other}: waiting for it to add this member back`);
    }
  }
  const config = {
    _id: setName,
    members: Array.from({ length: members }, (_, i) => ({ _id: i, host: hostOf(i), priority: i === 0 ? 2 : 1 })),
  };
  const initiated = command(admin, { replSetInitiate: config });
  if (initiated.ok !== 1 && initiated.code !== 23 /* AlreadyInitialized */) {
    throw new Error(`replSetInitiate: ${initiated.codeName ?? initiated.code} ${initiated.errmsg ?? ""}`);
  }
  log(`initiated replica set ${setName} with ${config.members.map((m) => m.host).join(", ")}`);
}

if (!authenticated) {
  // The localhost exception allows creating the first user, on the primary.
  let primary = false;
  for (let i = 0; i < 120 && !primary; i++) {
    primary = command(admin, { hello: 1 }).isWritablePrimary === true;
    if (!primary) sleep(1000);
  }
  if (!primary) {
    throw new Error("this member did not become primary within two minutes");
  }
  const created = command(admin, { createUser: user, pwd, roles: [{ role: "root", db: "admin" }] });
  if (created.ok !== 1 && created.code !== 51003 /* user exists */) {
    throw new Error(`createUser: ${created.codeName ?? created.code} ${created.errmsg ?? ""}`);
  }
  if (!authenticate()) {
    throw new Error("created the root user but cannot authenticate with it");
  }
  log(`created the root user ${user}`);
}

const current = command(admin, { replSetGetConfig: 1 });
if (current.ok === 1 && current.config.members[0].priority !== 1) {
  const config = current.config;
  config.members[0].priority = 1;
  config.version += 1;
  const reconfigured = command(admin, { replSetReconfig: config });
  if (reconfigured.ok !== 1) {
    throw new Error(`replSetReconfig: ${reconfigured.codeName ?? reconfigured.code} ${reconfigured.errmsg ?? ""}`);
  }
  log("member 0 back to priority 1");
}

if (exporterUser || exporterPwd) {
  if (!exporterUser || !exporterPwd || exporterUser === user) {
    throw new Error("MONGO_EXPORTER_USERNAME and MONGO_EXPORTER_PASSWORD are both required, and the exporter's user is not the root user");
  }
  // Users are written on the primary; after a restart member 0 may be a secondary.
  const primaryHost = command(admin, { hello: 1 }).primary;
  if (!primaryHost) {
    throw new Error("no primary yet to create the exporter's user on");
  }
  const primary = new Mongo(`mongodb://${primaryHost}/?directConnection=true&serverSelectionTimeoutMS=5000`).getDB("admin");
  primary.auth(user, pwd);
  const roles = [{ role: "clusterMonitor", db: "admin" }, { role: "read", db: "local" }];
  const exists = (command(primary, { usersInfo: exporterUser }).users ?? []).length > 0;
  const written = exists
    ? command(primary, { updateUser: exporterUser, pwd: exporterPwd, roles })
    : command(primary, { createUser: exporterUser, pwd: exporterPwd, roles });
  if (written.ok !== 1) {
    throw new Error(`${exists ? "updateUser" : "createUser"} ${exporterUser}: ${written.codeName ?? written.code} ${written.errmsg ?? ""}`);
  }
  log(`${exists ? "updated" : "created"} the exporter's user ${exporterUser} (clusterMonitor, read on local)`);
}
log(`replica set ${setName} is ready`);
