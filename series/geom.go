package series

import "math"

type vec3 = [3]float64

func cross(a, b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func norm(a vec3) float64 { return math.Sqrt(dot(a, a)) }

func sub(a, b vec3) vec3 { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

func scale(a vec3, s float64) vec3 { return vec3{a[0] * s, a[1] * s, a[2] * s} }

func unit(a vec3) vec3 {
	l := norm(a)
	if l == 0 {
		return a
	}
	return scale(a, 1/l)
}
