/** A constant answer of the size and shape of a tokeninfo answer, for the peers that answer without verifying. */
export const TOKENINFO_SIZED_BODY = JSON.stringify({
  access_token: "x".repeat(400),
  uid: "svc-000000",
  grant_type: "password",
  scope: ["uid", "bench.read", "bench.write"],
  realm: "/services",
  token_type: "Bearer",
  "bench.read": true,
  "bench.write": true,
  expires_in: 3599,
});
