// Package rotate runs checked rotation plans (package plan reads them): it
// expands each secret's targets and picks this job's shard of them, makes
// or collects each new value, writes it everywhere, retires the old one,
// and audits.
package rotate
