/**
 * A recording HTTPS receiver on loopback, for what only TLS shows (a CONNECT tunnel to an
 * https:// target). Its certificate, tls/cert.pem (key: tls/key.pem), is self-signed and made
 * for these tests only — `secure.internal.test`, `localhost`, 127.0.0.1, valid until 2126 — with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=webhooks-cli test receiver" -addext "basicConstraints=critical,CA:TRUE" \
 *     -addext "subjectAltName=DNS:secure.internal.test,DNS:localhost,IP:127.0.0.1"
 * A CLI process trusts it the way a user trusts a private CA: NODE_EXTRA_CA_CERTS=TLS_CERT_FILE.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { onLoopback, type ReceivedRequest, type RecordingServer, type Responder, recordingHandler } from './servers.js';

export const TLS_CERT_FILE = fileURLToPath(new URL('./tls/cert.pem', import.meta.url));
const TLS_KEY_FILE = fileURLToPath(new URL('./tls/key.pem', import.meta.url));

export async function startTlsRecordingServer(
  respond: Responder = () => ({ status: 200, body: 'OK' }),
): Promise<RecordingServer> {
  const requests: ReceivedRequest[] = [];
  const server = https.createServer(
    { cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE) },
    recordingHandler(requests, respond),
  );
  return onLoopback(server, requests, 'https');
}
