/**
 * A webhook app written the way a user would write it in Python (stdlib http.server): it checks
 * the signature over the raw body, then answers with an HTML page of its own and its own
 * Content-Security-Policy — exactly what a relay must not serve as a page of its domain.
 */
import { execa, type ResultPromise } from 'execa';

const APP = `
import hashlib, hmac, http.server, json, sys
SECRET = sys.argv[1].encode()
class App(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        expected = 'sha256=' + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(self.headers.get('X-Webhook-Signature', ''), expected)
        event = json.loads(body).get('event') if good else None
        page = ('<html><script>document.title="x"</script>accepted %s</html>' % event if good else 'bad signature').encode()
        self.send_response(202 if good else 401)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Security-Policy', 'default-src *')
        self.send_header('X-App', 'python')
        self.send_header('Content-Length', str(len(page)))
        self.end_headers()
        self.wfile.write(page)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), App)
print(server.server_address[1], flush=True)
server.serve_forever()
`;

export interface PythonApp {
  url: string;
  stop: () => Promise<void>;
}

/** Starts the app verifying with `secret`; answers 202 and an HTML page for a good signature, 401 otherwise. */
export async function startPythonApp(secret: string): Promise<PythonApp> {
  const child: ResultPromise = execa('python3', ['-c', APP, secret], { reject: false, timeout: 5 * 60_000 });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    void child.then((r) => reject(new Error(`python app exited early: ${r.stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}
