<?php
// A plain-PHP webhook receiver, as PHP's manual reads a request body, run by PHP's built-in
// server (php -S 127.0.0.1:PORT php_receiver.php, the secret in WEBHOOK_SECRET):
// /webhook verifies file_get_contents('php://input'), the right way;
// /webhook-reserialised verifies json_encode(json_decode($payload)), the commonest PHP mistake;
// /webhook-trimmed verifies trim($payload).
$secret = getenv('WEBHOOK_SECRET');
$route = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$payload = file_get_contents('php://input');

switch ($route) {
    case '/webhook':
        $signed = $payload;
        break;
    case '/webhook-reserialised':
        $signed = json_encode(json_decode($payload));
        break;
    case '/webhook-trimmed':
        $signed = trim($payload);
        break;
    default:
        http_response_code(404);
        exit;
}

$expected = 'sha256=' . hash_hmac('sha256', $signed, $secret);
if (!hash_equals($expected, $_SERVER['HTTP_X_WEBHOOK_SIGNATURE'] ?? '')) {
    http_response_code(401);
    echo 'invalid signature';
    exit;
}
$event = json_decode($payload, true);
header('Content-Type: application/json');
echo json_encode(['received' => $event['event']]);
