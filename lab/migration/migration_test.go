package migration

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	ms, err := Load(fstest.MapFS{"migrations/0002_b.sql": file, "migrations/0001_a.sql": file, "other/0003_c.sql": file})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Name != "0001_a.sql" || ms[1].Version != 2 || ms[1].SQL != "SELECT 1;" {
		t.Errorf("got %+v, want 0001_a.sql then version 2", ms)
	}
}

func TestLoadErrors(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0003_c.sql": file}},
		{"repeat", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0001_b.sql": file}},
		{"no number", fstest.MapFS{"migrations/init.sql": file}},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(tt.fsys); err == nil {
				t.Errorf("got nil error, want one")
			}
		})
	}
}
