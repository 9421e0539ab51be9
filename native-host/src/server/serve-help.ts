// Apart from serve-command.ts, so `mxlens --help` and the host never load the server.

export const SERVE_HELP = `Usage: mxlens serve [--listen HOST:PORT] [--data DIR] [--tls-cert FILE --tls-key FILE] [--redis URL] [--postgres URL]
       mxlens serve keys add NAME | list | remove NAME  [--data DIR] [--postgres URL]

Runs MX Lens as an HTTP service, for a machine where outbound port 25 is open (a small VPS,
the office mail relay) and for a team: the extension, "mxlens verify --server" and tools written
for Reacher send their checks to it. See "Run a team server" in the README.

Options:
  --listen HOST:PORT   where to listen (default 127.0.0.1:8025; MXLENS_SERVE_LISTEN)
  --data DIR           where the database lives (default: the user's data folder; MXLENS_SERVE_DATA)
  --postgres URL       keep bulk jobs and results, API keys and daily usage in PostgreSQL,
                       shared by several server nodes (postgres://USER@HOST/DB; MXLENS_POSTGRES);
                       default: the SQLite in --data
  --tls-cert FILE      serve HTTPS with this certificate (PEM) ...
  --tls-key FILE       ... and this private key (PEM)
  --redis URL          put the checks on this Redis queue for "mxlens worker"s instead of running
                       them here (MXLENS_REDIS; see "Scale out" in the README)

API keys: "mxlens serve keys add NAME" prints a new key once (only its hash is kept), in the
database of --data, or of --postgres / MXLENS_POSTGRES when set (then every node knows it);
MXLENS_SERVE_KEYS="name:key[,name:key...]" adds keys from the environment.
Limits: MXLENS_SERVE_RATE (requests a minute per key, default 120), MXLENS_SERVE_QUOTA
(addresses a day per key, default 10000). CORS: MXLENS_SERVE_CORS="chrome-extension://ID,...".
Queue dashboard (with --redis, /admin/queues): MXLENS_SERVE_BOARD_KEYS="NAME,..." (default: closed).
`;
