'use strict';
// SignCertificate -> CertificateSigned with ocpp-rpc in strict mode (2.0.1 or 2.1): the station sends
// the CSR the test made, ParkCharge answers Accepted and then sends the signed chain, which is reported
// (CHAIN <json>) and accepted.
// node sign-certificate.js --url ws://127.0.0.1:PORT/ocpp --id CS-1 --password SECRET --protocol ocpp2.1 --csr FILE
const fs = require('fs');
const { args, report, check, connect, fail } = require('./common');

async function main() {
  const options = args();
  const protocol = options.protocol || 'ocpp2.1';
  const csr = fs.readFileSync(options.csr, 'utf8');
  const cs = await connect(protocol, options);

  const signed = new Promise((resolve) => {
    cs.handle('CertificateSigned', ({ params }) => {
      resolve(params);
      return { status: 'Accepted' };
    });
  });
  cs.handle(({ method }) => fail(`unexpected call from the server: ${method}`));

  const answer = await cs.call('SignCertificate', {
    csr, certificateType: 'ChargingStationCertificate', ...(protocol === 'ocpp2.1' ? { requestId: 41 } : {}),
  });
  check(answer.status === 'Accepted', `SignCertificate answered ${answer.status} ${JSON.stringify(answer.statusInfo || {})}`);
  const params = await Promise.race([signed, new Promise((_, reject) => setTimeout(() => reject(new Error('no CertificateSigned within 15 s')), 15000))]);
  report('RESULT', params);
  await new Promise((r) => setTimeout(r, 200)); // let the CALLRESULT reach the server before closing
  await cs.close({ code: 1000 });
  process.exit(0);
}

main().catch((e) => fail(e && e.stack || String(e)));
