'use strict';
// A charger written by others (ocpp-rpc in strict mode: every message both ways checked against the
// official schemas of its version), driven from stdin so a test decides what it sends and when, with the
// timestamps it chooses. Used for ParkCharge's proxy mode, where its answers come from the charger's own
// backend through ParkCharge. Reports on stdout:
//   CONNECTED {"protocol"}                      once connected
//   ANSWERED {"id","method","result"}          the answer to a CALL it was told to send
//   CALLERROR {"id","method","code","message"} a CALLERROR (or no answer) instead
//   CALL <Action> {params}                     a CALL the central system sent it, answered as a charger would
// Commands on stdin, one JSON per line: {"id":"1","call":"BootNotification","params":{...}}
// node proxy-charger.js --url ws://127.0.0.1:PORT/ocpp --id CP-1 --password SECRET --protocol ocpp1.6|ocpp2.0.1
const readline = require('readline');
const { createRPCError } = require('ocpp-rpc');
const { args, report, connect, fail } = require('./common');

const accepted = () => ({ status: 'Accepted' });
const answers = {
  RemoteStartTransaction: accepted,
  RemoteStopTransaction: accepted,
  RequestStartTransaction: accepted,
  RequestStopTransaction: accepted,
  Reset: accepted,
  ChangeAvailability: accepted,
  ChangeConfiguration: accepted,
  SetChargingProfile: accepted,
  ClearChargingProfile: accepted,
  TriggerMessage: accepted,
  CertificateSigned: accepted,
  UnlockConnector: () => ({ status: 'Unlocked' }),
  GetConfiguration: () => ({ configurationKey: [] }),
  DataTransfer: (p) => ({ status: 'Accepted', data: `charger-saw:${p.data}` }),
};

async function main() {
  const options = args();
  const protocol = options.protocol || 'ocpp1.6';
  const cp = await connect(protocol, options);
  cp.handle(({ method, params }) => {
    report(`CALL ${method}`, params);
    if (!answers[method]) throw createRPCError('NotImplemented');
    return answers[method](params);
  });
  report('CONNECTED', { protocol });

  // One CALL at a time, in the order given, as a charger does (OCPP-J: one outstanding CALL per direction).
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const command = JSON.parse(line);
    queue = queue.then(async () => {
      try {
        const result = await cp.call(command.call, command.params || {});
        report('ANSWERED', { id: command.id, method: command.call, result });
      } catch (e) {
        report('CALLERROR', { id: command.id, method: command.call, code: e.rpcErrorCode || e.name, message: e.message });
      }
    });
  });
  rl.on('close', async () => {
    await queue;
    await cp.close({ code: 1000, reason: 'done' });
    process.exit(0);
  });
}

main().catch((e) => fail(e && e.stack || String(e)));
