#!/usr/bin/env node
// Prints the RabbitMQ password hash (rabbit_password_hashing_sha256) of a password, for the
// "users" entry of deploy/rabbitmq/definitions.json:
//   node deploy/rabbitmq/hash-password.js 'new password'
// Format: base64(salt ++ sha256(salt ++ utf8(password))) with a random 4-byte salt.
// A node that imports definitions at boot creates no default (guest) user, so the user in that
// file is the only way in; keep AMQP_URL (RABBITMQ_USER/RABBITMQ_PASSWORD in .env) in step.
const { createHash, randomBytes } = require('node:crypto');

function rabbitPasswordHash(password, salt = randomBytes(4)) {
  const digest = createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

function verifyRabbitPasswordHash(password, hash) {
  const salt = Buffer.from(hash, 'base64').subarray(0, 4);
  return rabbitPasswordHash(password, salt) === hash;
}

module.exports = { rabbitPasswordHash, verifyRabbitPasswordHash };

if (require.main === module) {
  const password = process.argv[2];
  if (!password) {
    console.error('usage: node deploy/rabbitmq/hash-password.js <password>');
    process.exit(2);
  }
  console.log(rabbitPasswordHash(password));
}
