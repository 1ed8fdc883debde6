'use strict';
// A charger's existing backend, written by others: an ocpp-rpc RPCServer in strict mode (every message
// both ways checked against the official OCPP 1.6 and 2.0.1 schemas), for ParkCharge's proxy mode. It
// accepts any identity (with --password, only that Basic password), answers like a simple CSMS (the
// transaction ids of 1.6 are its own: 70001, 70002, ...) and reports on stdout:
//   LISTENING <port>
//   CONNECTED {"endpoint","identity","protocol"}       DISCONNECTED {"endpoint","identity"}
//   RECEIVED {"endpoint","identity","method","params"}  every CALL, in the order it arrived
//   ANSWER {"id",result} / ERROR {"id","code","message"} for its own calls (below)
// Commands on stdin, one JSON per line:
//   {"id":"x","call":"RemoteStopTransaction","identity":"CP-1","endpoint":"/primary","params":{...}}
//   {"down":true}  closes every connection and stops listening (an outage); {"up":true} listens again on the same port
// node proxy-backend.js [--port N] [--password SECRET]
const { RPCServer, createRPCError } = require('ocpp-rpc');
const readline = require('readline');

const argv = process.argv.slice(2);
const options = {};
for (let i = 0; i < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];

const report = (kind, value) => console.log(`${kind} ${JSON.stringify(value)}`);
const clients = new Map(); // endpoint|identity -> client
let server = null;
let port = Number(options.port || 0);
let nextTransactionId = 70001;
const transactionIds = new Map(); // the same start (connector, tag, timestamp) gets the same id, as a real CSMS de-duplicates

function answer(client, method, params) {
  const now = new Date().toISOString();
  const v16 = client.protocol === 'ocpp1.6';
  switch (method) {
    case 'BootNotification': return { status: 'Accepted', currentTime: now, interval: 300 };
    case 'Heartbeat': return { currentTime: now };
    case 'Authorize': return v16 ? { idTagInfo: { status: 'Accepted' } } : { idTokenInfo: { status: 'Accepted' } };
    case 'StartTransaction': {
      const key = `${client.identity}|${params.connectorId}|${params.idTag}|${params.timestamp}`;
      if (!transactionIds.has(key)) transactionIds.set(key, nextTransactionId++);
      return { transactionId: transactionIds.get(key), idTagInfo: { status: 'Accepted' } };
    }
    case 'StopTransaction': return { idTagInfo: { status: 'Accepted' } };
    case 'TransactionEvent': return params.idToken ? { idTokenInfo: { status: 'Accepted' } } : {};
    case 'DataTransfer':
      return params.vendorId === 'com.backend.vendor'
        ? { status: 'Accepted', data: `backend-saw:${params.data}` }
        : { status: 'UnknownVendorId' };
    case 'SignCertificate': return { status: 'Rejected' };
    default: return {};
  }
}

async function start() {
  server = new RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: true });
  server.auth((accept, reject, handshake) => {
    if (options.password && (!handshake.password || handshake.password.toString('utf8') !== options.password)) {
      reject(401, 'wrong password');
      return;
    }
    accept({ endpoint: handshake.endpoint });
  });
  server.on('client', (client) => {
    const endpoint = client.session.endpoint;
    clients.set(`${endpoint}|${client.identity}`, client);
    report('CONNECTED', { endpoint, identity: client.identity, protocol: client.protocol });
    client.on('strictValidationFailure', (e) => report('STRICT', { endpoint, identity: client.identity, outbound: e.outbound, method: e.method, error: e.error.message }));
    client.on('close', () => {
      if (clients.get(`${endpoint}|${client.identity}`) === client) clients.delete(`${endpoint}|${client.identity}`);
      report('DISCONNECTED', { endpoint, identity: client.identity });
    });
    client.handle(({ method, params }) => {
      report('RECEIVED', { endpoint, identity: client.identity, method, params });
      const result = answer(client, method, params);
      if (result === null) throw createRPCError('NotImplemented');
      return result;
    });
  });
  const http = await server.listen(port, '127.0.0.1');
  port = http.address().port;
  console.log(`LISTENING ${port}`);
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  if (!line.trim()) return;
  let command;
  try { command = JSON.parse(line); } catch (e) { report('FAIL', `not JSON: ${line}`); return; }
  if (command.down) {
    const closing = server;
    server = null;
    await closing.close({ force: true });
    clients.clear();
    report('DOWN', {});
    return;
  }
  if (command.up) {
    await start();
    report('UP', {});
    return;
  }
  const client = clients.get(`${command.endpoint || '/'}|${command.identity}`);
  if (!client) {
    report('ERROR', { id: command.id, code: 'NoClient', message: `no connection from ${command.identity} at ${command.endpoint}` });
    return;
  }
  try {
    const result = await client.call(command.call, command.params || {});
    report('ANSWER', { id: command.id, result });
  } catch (e) {
    report('ERROR', { id: command.id, code: e.rpcErrorCode || e.name, message: e.message });
  }
});
rl.on('close', async () => {
  if (server) await server.close({ force: true });
  process.exit(0);
});

start().catch((e) => { console.log(`FAIL ${e && e.stack || e}`); process.exit(1); });
