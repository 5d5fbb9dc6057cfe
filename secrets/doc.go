// Package secrets owns GitHub encrypted secrets end to end: it validates
// names and values, knows where each secret goes, seals values for a
// container's public key, and writes them to GitHub.
package secrets
