# A Ruby webhook receiver on WEBrick, as its documentation mounts a handler: /webhook verifies
# the raw body (request.body), the right way; /webhook-reserialised verifies
# JSON.parse(body).to_json, the Ruby habit. Usage: ruby ruby_receiver.rb SECRET  (prints its port)
require 'json'
require 'openssl'
require 'webrick'

SECRET = ARGV.fetch(0)

def signature_matches?(payload, header)
  expected = 'sha256=' + OpenSSL::HMAC.hexdigest('SHA256', SECRET, payload)
  header = header.to_s
  expected.bytesize == header.bytesize && OpenSSL.fixed_length_secure_compare(expected, header)
end

def answer(response, ok, event)
  response.status = ok ? 200 : 401
  response['Content-Type'] = 'application/json'
  response.body = ok ? { received: event['event'] }.to_json : '{"error":"invalid signature"}'
end

server = WEBrick::HTTPServer.new(BindAddress: '127.0.0.1', Port: 0, Logger: WEBrick::Log.new(File::NULL),
                                 AccessLog: [])
server.mount_proc '/webhook-reserialised' do |request, response|
  event = JSON.parse(request.body)
  answer(response, signature_matches?(event.to_json, request['X-Webhook-Signature']), event)
end
server.mount_proc '/webhook' do |request, response|
  ok = signature_matches?(request.body, request['X-Webhook-Signature'])
  answer(response, ok, ok ? JSON.parse(request.body) : nil)
end
trap('TERM') { server.shutdown }
puts server.config[:Port]
$stdout.flush
server.start
