package bundle

import "testing"

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"format":"mdm2node-model-bundle","version":1,"primary":"x","svm_models":[{"name":"x","input_features":["CT_a"],"selected_features":["CT_a"],"scaler_mean":[0],"scaler_scale":[1],"kernel":"rbf","gamma":0.5,"support_vectors":[[1]],"dual_coef":[1]}]}`))
	f.Add([]byte(`{"format":"mdm2node-model-bundle","version":2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			return
		}
		// A decoded bundle is consistent, so scoring with all inputs at zero
		// never panics.
		features := map[string]float64{"age": 0, "ldh": 0}
		for _, m := range b.SVMs {
			for _, name := range m.InputFeatures {
				features[name] = 0
			}
		}
		for _, name := range b.ModelNames() {
			_, _ = b.ScoreModel(name, features)
		}
	})
}
