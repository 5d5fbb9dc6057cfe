package secrets

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/internal/fanout"
)

// Age is what a target's stored secret is: missing, or written at Updated.
type Age struct {
	Missing bool
	Updated time.Time
}

// Ages reads the metadata of the secret name (never its value, which
// GitHub does not return) in every target, Concurrency at once. ages[i] and
// errs[i] are targets[i]'s; a target whose age could not be read has an
// error.
func (w *Writer) Ages(ctx context.Context, targets []Target, name string) (ages []Age, errs []error) {
	return fanout.Map(ctx, w.opts.Concurrency, targets, func(ctx context.Context, t Target) (Age, error) {
		return w.age(ctx, t, name)
	})
}

func (w *Writer) age(ctx context.Context, t Target, name string) (Age, error) {
	req, err := w.c.NewRequest(http.MethodGet, t.SecretPath(name), nil)
	if err != nil {
		return Age{}, fmt.Errorf("read %s in %s: %w", name, t, err)
	}
	var meta struct {
		UpdatedAt time.Time `json:"updated_at"`
	}
	resp, err := w.c.Do(ctx, req, &meta)
	switch {
	case status(resp) == http.StatusNotFound:
		return Age{Missing: true}, nil
	case err != nil:
		return Age{}, fmt.Errorf("read %s in %s: %w", name, t, describe(resp, err, t, ""))
	}
	return Age{Updated: meta.UpdatedAt}, nil
}

// Meta is a stored secret as its target's listing shows it.
type Meta struct {
	Name    string
	Updated time.Time
}

// List lists the secrets of every target (their names and when they were
// written, never their values), Concurrency at once, 100 a page. lists[i]
// and errs[i] are targets[i]'s; an error does not repeat the target.
func (w *Writer) List(ctx context.Context, targets []Target) (lists [][]Meta, errs []error) {
	return fanout.Map(ctx, w.opts.Concurrency, targets, w.list)
}

func (w *Writer) list(ctx context.Context, t Target) ([]Meta, error) {
	var out []Meta
	err := ghclient.EachPage("list secrets", func(page int) (*github.Response, error) {
		req, err := w.c.NewRequest(http.MethodGet, fmt.Sprintf("%s?per_page=%d&page=%d", t.SecretsListPath(), perPage, page), nil)
		if err != nil {
			return nil, fmt.Errorf("list secrets: %w", err)
		}
		var body github.Secrets
		resp, err := w.c.Do(ctx, req, &body)
		if err != nil {
			return nil, fmt.Errorf("list secrets: %w", describe(resp, err, t, ""))
		}
		for _, s := range body.Secrets {
			out = append(out, Meta{Name: s.Name, Updated: s.UpdatedAt.Time})
		}
		return resp, nil
	})
	return out, err
}

// Delete deletes the secret name from every target, Concurrency at once,
// and returns one Result per target, sorted by target: Deleted, or Failed.
// In a dry run it sends nothing and reports WouldDelete. Deleting a secret
// that is already gone is a failure (GitHub answers 404), so callers delete
// only what they saw.
func (w *Writer) Delete(ctx context.Context, targets []Target, name string) []Result {
	invalid := ValidateName(name)
	return w.each(ctx, targets, name, func(ctx context.Context, t Target) (Outcome, error) {
		switch {
		case invalid != nil:
			return Failed, invalid
		case w.opts.DryRun:
			return WouldDelete, nil
		}
		req, err := w.c.NewRequest(http.MethodDelete, t.SecretPath(name), nil)
		if err != nil {
			return Failed, err
		}
		if resp, err := w.c.Do(ctx, req, nil); err != nil {
			return Failed, describe(resp, err, t, "")
		}
		return Deleted, nil
	})
}
