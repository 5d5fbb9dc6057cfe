// Package secrets owns GitHub encrypted secrets end to end: it validates
// names and values, knows where each secret goes, seals values for a
// container's public key, and is the only package that calls the secrets
// API: it writes, reads the age of, lists and deletes secrets.
package secrets
