/** `relay`: the WebSocket tunnel server. (`listen --relay` is the client side.) */
import { Option, type Command } from 'commander';
import { examples, lazy } from './lazy-action.cjs';
import { byteSize, duration, integer } from './parse.cjs';
import { requestTimeoutOption } from './server-options.cjs';

export function defineRelayCommands(program: Command): void {
  program
    .command('relay')
    .description('run the WebSocket tunnel server that gives `listen --relay` a public webhook URL')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(integer(0, 65_535)).default(8080))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--public-url <url>', 'base of the webhook URLs handed to listeners, e.g. https://relay.example.com (default: the address a listener connected to)')
    .addOption(new Option('--answer-timeout <duration>', 'how long a sender waits for the listener\'s answer before a 504').argParser(duration).default(10_000, '10s'))
    .addOption(new Option('--max-body <size>', 'largest request body accepted (413 above it), e.g. 512kb, 5mb').argParser(byteSize).default(1024 * 1024, '1mb'))
    .addOption(new Option('--ping-interval <duration>', 'keepalive ping interval; a listener that misses a pong is dropped at the next ping').argParser(duration).default(15_000, '15s'))
    .addOption(requestTimeoutOption())
    .addHelpText('after', examples([
      'webhooks-cli relay --port 8080',
      'webhooks-cli relay --host 0.0.0.0 --port 8080 --public-url https://relay.example.com',
      'webhooks-cli listen --secret s3cret --relay ws://127.0.0.1:8080   # on the laptop',
    ]))
    .action(lazy(() => import('../commands/relay.js'), 'relayCommand'));
}

