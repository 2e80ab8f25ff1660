package life

import (
	"hash/fnv"
	"math/rand/v2"
)

// A Grid is a square of cells on a torus: the right edge wraps to the
// left, the bottom to the top. One byte a cell, 1 alive, 0 dead.
type Grid struct {
	Size  int
	Cells []byte
}

// NewGrid returns a size × size grid, every cell dead.
func NewGrid(size int) *Grid { return &Grid{Size: size, Cells: make([]byte, size*size)} }

// Seeded returns a size × size grid whose cells are alive with
// probability 1/3, drawn from seed: the same seed, the same start.
func Seeded(size int, seed uint64) *Grid {
	g := NewGrid(size)
	r := rand.New(rand.NewPCG(seed, 0x11fe))
	for i := range g.Cells {
		if r.IntN(3) == 0 {
			g.Cells[i] = 1
		}
	}
	return g
}

// At returns cell (x, y), wrapping around the edges.
func (g *Grid) At(x, y int) byte {
	x, y = (x+g.Size)%g.Size, (y+g.Size)%g.Size
	return g.Cells[y*g.Size+x]
}

// Set sets cell (x, y).
func (g *Grid) Set(x, y int, v byte) { g.Cells[y*g.Size+x] = v }

// Neighbours counts the live cells around (x, y).
func (g *Grid) Neighbours(x, y int) int {
	n := 0
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if dx != 0 || dy != 0 {
				n += int(g.At(x+dx, y+dy))
			}
		}
	}
	return n
}

// Rule is Conway's: a live cell with two or three live neighbours lives
// on, a dead cell with exactly three comes alive, every other cell is
// dead in the next generation.
func Rule(alive byte, neighbours int) byte {
	if neighbours == 3 || alive == 1 && neighbours == 2 {
		return 1
	}
	return 0
}

// Hash is the grid's 32-bit FNV-1a hash: short enough for the table's
// expected and got columns, and a wrong grid matches it by chance once in
// four billion.
func (g *Grid) Hash() int64 {
	h := fnv.New32a()
	h.Write(g.Cells)
	return int64(h.Sum32())
}

// Reference returns the grid after gens generations of start, computed
// plainly with no waits and no goroutines: the answer every variant is
// checked against.
func Reference(start *Grid, gens int) *Grid {
	cur := &Grid{Size: start.Size, Cells: append([]byte(nil), start.Cells...)}
	next := NewGrid(start.Size)
	for range gens {
		for y := range cur.Size {
			for x := range cur.Size {
				next.Set(x, y, Rule(cur.At(x, y), cur.Neighbours(x, y)))
			}
		}
		cur, next = next, cur
	}
	return cur
}
