'use strict';
// The bench's non-durable peer: an OCPP 1.6J central system written by others (ocpp-rpc, strict mode:
// every inbound CALL and every answer is validated against the official JSON schemas), answering from
// memory and storing nothing. Started by bench/ParkCharge.Bench (scenario "peer"); prints its address.
//   node ocpp-rpc-peer.js [--port 0] [--parent-pid PID]
const { createServer } = require('http');
const { RPCServer } = require('ocpp-rpc');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

const server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
const transactions = new Map(); // transactionId -> { identity, idTag }
let nextTransactionId = 0;
const now = () => new Date().toISOString();
const accepted = { status: 'Accepted' };

server.on('client', (client) => {
  client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
  client.handle('Heartbeat', () => ({ currentTime: now() }));
  client.handle('StatusNotification', () => ({}));
  client.handle('Authorize', () => ({ idTagInfo: accepted }));
  client.handle('StartTransaction', ({ params }) => {
    const transactionId = ++nextTransactionId;
    transactions.set(transactionId, { identity: client.identity, idTag: params.idTag });
    return { idTagInfo: accepted, transactionId };
  });
  client.handle('MeterValues', () => ({}));
  client.handle('StopTransaction', ({ params }) => {
    transactions.delete(params.transactionId);
    return { idTagInfo: accepted };
  });
});

(async () => {
  // ocpp-rpc's own listen() answers every plain request 404; the bench also needs a health check on the port.
  const http = createServer({ noDelay: true }, (req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/healthz' ? 'Healthy' : '');
  });
  http.on('upgrade', server.handleUpgrade);
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(Number(option('--port', '0')), '127.0.0.1', resolve);
  });
  console.log(`Peer listening on http://127.0.0.1:${http.address().port}`);
  const parent = Number(option('--parent-pid', '0'));
  if (parent > 0) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        process.exit(0);
      }
    }, 1000).unref();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
