package radiomics

import "strconv"

func strconvParse(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
func strconvItoa(v int) string               { return strconv.Itoa(v) }
