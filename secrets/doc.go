// Package secrets encrypts values for GitHub encrypted secrets and knows where each secret goes.
package secrets
